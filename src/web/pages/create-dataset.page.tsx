import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Dataset } from '../api.js';
import { DatasetForm, EMPTY_DATASET_FORM, toCreateRequest, type DatasetFormValues } from '../components/dataset-form.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageHeading } from '../components/page-heading.js';
import { PolicyPanel } from '../components/policy-panel.js';
import { VerifyResult } from '../components/verify-result.js';
import { queryClient } from '../query-client.js';
import { Link, routePath } from '../router.js';
import { datasetsKey } from './datasets.page.js';

/** Create a dataset, then show at once what its credentials may really do. */
export function CreateDatasetPage() {
  const [values, setValues] = useState<DatasetFormValues>(EMPTY_DATASET_FORM);
  const [created, setCreated] = useState<Dataset | null>(null);
  const verify = useMutation({ mutationFn: api.verify });
  const create = useMutation({
    mutationFn: api.createDataset,
    onSuccess: (dataset) => {
      setCreated(dataset);
      void queryClient.invalidateQueries({ queryKey: datasetsKey });
      verify.mutate(dataset.name);
    },
  });
  // Editing a saved dataset means replacing it: the catalog entry goes, the bucket is never touched.
  const editAgain = useMutation({
    mutationFn: (name: string) => api.deleteDataset(name),
    onSuccess: () => {
      setCreated(null);
      verify.reset();
      create.reset();
      void queryClient.invalidateQueries({ queryKey: datasetsKey });
    },
  });

  if (created === null) {
    return (
      <div className="page narrow">
        <PageHeading title="New dataset">New dataset</PageHeading>
        <DatasetForm
          values={values}
          onChange={setValues}
          onSubmit={() => create.mutate(toCreateRequest(values))}
          busy={create.isPending}
          error={create.isError ? <ErrorMessage error={create.error} title="Not saved." /> : undefined}
        />
      </div>
    );
  }

  return (
    <div className="page narrow">
      <PageHeading title={`${created.name}: access check`}>Dataset “{created.name}” saved</PageHeading>
      <p className="location">{created.input.uri}</p>
      {verify.isPending && (
        <p className="checking" role="status" aria-busy="true">
          Checking list, read, write, overwrite and delete with real calls inside the folder…
        </p>
      )}
      {verify.isError && <ErrorMessage error={verify.error} title="The check could not run." />}
      {verify.data && <VerifyResult report={verify.data} />}
      {editAgain.isError && <ErrorMessage error={editAgain.error} />}
      <div className="form-actions">
        <Link to={routePath.dataset(created.name)} className="button primary">
          Open dataset
        </Link>
        <button type="button" onClick={() => verify.mutate(created.name)} disabled={verify.isPending}>
          Check again
        </button>
        <button type="button" onClick={() => editAgain.mutate(created.name)} disabled={editAgain.isPending || verify.isPending}>
          Change settings
        </button>
      </div>
      {verify.data && created.input.kind === 's3' && <PolicyPanel dataset={created.name} />}
    </div>
  );
}
