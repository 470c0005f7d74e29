import { PageHeading } from '../components/page-heading.js';
import { Link, routePath } from '../router.js';

export function NotFoundPage() {
  return (
    <div className="page narrow">
      <PageHeading title="Not found">Nothing here</PageHeading>
      <p>
        This address is not a page of Winnow. <Link to={routePath.datasets()}>Go to the datasets</Link>.
      </p>
    </div>
  );
}
