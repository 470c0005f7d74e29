import { useEffect, useRef } from 'react';

let firstPage = true;

/** The page's h1, which also names the browser tab and takes focus after in-app navigation so screen readers announce the new page. */
export function PageHeading({ children, title }: { children: React.ReactNode; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Winnow`;
    if (firstPage) firstPage = false;
    else heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
