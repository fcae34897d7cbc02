/**
 * Volume files by name: .nrrd / .nhdr (NRRD) and .nii / .nii.gz (NIfTI), read whole or header only.
 * An image's intensities get NIfTI's scl_slope / scl_inter; a label map is read as stored.
 */
import { readNifti, readNiftiHeader } from './nifti';
import { readNrrd, readNrrdHeader } from './nrrd';
import type { Volume, VolumeGrid } from './volume';

export type VolumeFormat = 'nrrd' | 'nifti';

const VOLUME_EXTENSION = /\.(nrrd|nhdr|nii|nii\.gz)$/i;

export const isVolumeFile = (name: string) => VOLUME_EXTENSION.test(name);

/** The file name without its volume extension: "case1_seg.nii.gz" → "case1_seg". */
export const volumeStem = (name: string) => name.replace(VOLUME_EXTENSION, '');

export function volumeFormatOf(path: string): VolumeFormat {
  if (/\.(nrrd|nhdr)$/i.test(path)) return 'nrrd';
  if (/\.nii(\.gz)?$/i.test(path)) return 'nifti';
  throw new Error(`${path}: not a volume file. Should end in .nrrd, .nhdr, .nii or .nii.gz.`);
}

export function readVolume(path: string, role: 'image' | 'label'): Volume {
  return volumeFormatOf(path) === 'nrrd' ? readNrrd(path) : readNifti(path, { applyScaling: role === 'image' });
}

/** The grid (dims, spacing, orientation, voxel type) from the header alone: cheap, for discovery. */
export function readVolumeGrid(path: string): VolumeGrid {
  return volumeFormatOf(path) === 'nrrd' ? readNrrdHeader(path) : readNiftiHeader(path);
}
