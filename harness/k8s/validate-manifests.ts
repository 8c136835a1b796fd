import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, PersistentVolumeClaim, Pod } from 'kubernetes-models/v1';
import type { K8sObject } from './manifests.js';

/**
 * Checks objects against Kubernetes' own OpenAPI schema with kubernetes-models (its models are
 * generated from the schema Kubernetes publishes; `validate()` runs the schema's compiled
 * validator: types, required fields, enums such as completionMode, formats). What the schema
 * cannot say (an unknown field: Kubernetes' schema allows extra properties, and the API server's
 * strict field validation rejects them at `kubectl apply`) is not checked here.
 *
 * Returns one problem per object that breaks the schema, each naming the object and the field
 * (`Job harness-x: /spec/completions must be integer`); none when every object is valid.
 */
export function validateManifests(objects: readonly K8sObject[]): string[] {
  return objects.flatMap((object) => {
    const problem = schemaProblem(object);
    return problem === undefined ? [] : [`${object.kind} ${object.metadata.name}: ${problem}`];
  });
}

/** The models of the kinds the harness writes, by `apiVersion/kind`. */
const MODELS: Record<string, (data: unknown) => { validate(): void }> = {
  'v1/ConfigMap': (data) => new ConfigMap(data as ConstructorParameters<typeof ConfigMap>[0]),
  'v1/PersistentVolumeClaim': (data) =>
    new PersistentVolumeClaim(data as ConstructorParameters<typeof PersistentVolumeClaim>[0]),
  'v1/Pod': (data) => new Pod(data as ConstructorParameters<typeof Pod>[0]),
  'batch/v1/Job': (data) => new Job(data as ConstructorParameters<typeof Job>[0]),
};

function schemaProblem(object: K8sObject): string | undefined {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (model === undefined) return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    model(object).validate();
    return undefined;
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath?: string; message?: string }> })
      .errors;
    if (Array.isArray(errors) && errors.length > 0)
      return errors
        .map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`)
        .join('; ');
    return (error as Error).message;
  }
}
