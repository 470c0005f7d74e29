import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Dataset } from '../api.js';
import { DatasetForm, datasetFormValues, toEditRequest, type DatasetFormValues } from '../components/dataset-form.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageHeading } from '../components/page-heading.js';
import { queryClient } from '../query-client.js';
import { Link, navigate, routePath } from '../router.js';
import { datasetsKey } from './datasets.page.js';

/** The create form again, filled in from the saved dataset; saving changes it in place (tags, samples and vectors stay). */
export function EditDatasetPage({ name }: { name: string }) {
  const saved = useQuery({ queryKey: ['dataset', name], queryFn: () => api.dataset(name) });
  if (saved.isError) {
    return (
      <div className="page narrow">
        <PageHeading title={`Edit ${name}`}>Edit “{name}”</PageHeading>
        <ErrorMessage error={saved.error} />
      </div>
    );
  }
  if (saved.data === undefined) return <div className="page narrow" aria-busy="true" />;
  return <EditForm saved={saved.data} />;
}

function EditForm({ saved }: { saved: Dataset }) {
  const [values, setValues] = useState<DatasetFormValues>(() => datasetFormValues(saved));
  const save = useMutation({
    mutationFn: (next: DatasetFormValues) => api.updateDataset(saved.name, toEditRequest(next, saved)),
    onSuccess: async (dataset) => {
      // Marked stale, not fetched here: after a rename the old name answers 404; the dataset page fetches the new one.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: datasetsKey }),
        queryClient.invalidateQueries({ queryKey: ['dataset', saved.name], refetchType: 'none' }),
        queryClient.invalidateQueries({ queryKey: ['dataset', dataset.name], refetchType: 'none' }),
      ]);
      navigate(routePath.dataset(dataset.name));
    },
  });
  return (
    <div className="page narrow">
      <PageHeading title={`Edit ${saved.name}`}>Edit “{saved.name}”</PageHeading>
      <p className="help">
        Changes apply from the next sync; tags, samples and vectors stay. Moving the output makes the thumbnails again under the new one.{' '}
        <Link to={routePath.dataset(saved.name)}>Back to the dataset</Link>
      </p>
      <DatasetForm
        editing
        values={values}
        onChange={setValues}
        onSubmit={() => save.mutate(values)}
        busy={save.isPending}
        error={save.isError ? <ErrorMessage error={save.error} title="Not saved." /> : undefined}
      />
    </div>
  );
}
