export * from './buildSeg';
export * from './dicomValues';
export * from './displayColour';
export * from './segFile';
export * from './segmentCodes';
