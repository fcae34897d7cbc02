export * from './modelManifest';
export * from './graphValidation';
