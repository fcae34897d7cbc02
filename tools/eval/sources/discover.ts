/**
 * A dataset's references from `--data`: the mapping file's explicit items, or discovery in the folder
 * (2D images with masks: folder2d.ts; volumes with label maps and DICOM series with SEG:
 * discoverVolumes.ts, which also reads nnU-Net / MSD imagesTr/ + labelsTr/ folders). Keys are prefixed
 * with the dataset's name so several datasets can share a run. Missing files and files no rule uses are reported as skipped.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { discoverVolumesAndDicom, nnunetFolders } from './discoverVolumes';
import { discover2d, listFiles } from './folder2d';
import { IMAGE_2D_FILE } from './image2d';
import { readMapping, type DatasetMapping, type MappingItem } from './mapping';
import type { DatasetListing, ImageRef, SkippedFile } from './types';

function fromItems(mapping: DatasetMapping, items: MappingItem[]): { refs: ImageRef[]; skipped: SkippedFile[] } {
  const at = (p: string) => (isAbsolute(p) ? p : join(mapping.root, p));
  const refs: ImageRef[] = [];
  const skipped: SkippedFile[] = [];
  for (const item of items) {
    const files = [item.image, item.labelMap, item.dicom, ...Object.values(item.masks ?? {})].filter(
      (f): f is string => f !== undefined,
    );
    const missing = files.filter((f) => !existsSync(at(f)));
    if (missing.length > 0) {
      skipped.push({ path: at(missing[0]!), reason: `listed in the mapping file but not found.` });
      continue;
    }
    const modality = item.modality ?? mapping.modality;
    if (item.dicom !== undefined) {
      const found = discoverVolumesAndDicom(at(item.dicom), {
        dataset: mapping.name,
        ...(modality !== undefined && { modality }),
        ...(mapping.labels && { labels: mapping.labels }),
      });
      const series = found.refs.filter((r) => r.kind === 'dicom-series');
      const prefix = relative(mapping.root, at(item.dicom));
      refs.push(...series.map((r) => ({ ...r, key: `${prefix}/${r.key}` })));
      skipped.push(...found.skipped);
      // A "dicom" item reads DICOM series only: a volume pair found there is said, not dropped.
      for (const r of found.refs)
        if (r.kind === 'volume')
          skipped.push({
            path: r.image,
            reason: `a volume in the "dicom" item's folder: list it as an item with "image" and "labelMap".`,
          });
      if (series.length === 0 && found.skipped.length === 0) {
        skipped.push({ path: at(item.dicom), reason: 'no DICOM series with a SEG in this folder.' });
      }
      continue;
    }
    const image = at(item.image!);
    const key = relative(mapping.root, image);
    const base = { key, dataset: mapping.name, modality: modality ?? 'unknown', image };
    if (IMAGE_2D_FILE.test(image)) {
      refs.push({
        kind: 'image2d',
        ...base,
        ...(item.masks && { masks: Object.fromEntries(Object.entries(item.masks).map(([name, f]) => [name, at(f)])) }),
        ...(item.labelMap !== undefined && { labelMap: at(item.labelMap) }),
        ...(mapping.labels && { labels: mapping.labels }),
      });
    } else if (item.labelMap !== undefined) {
      refs.push({
        kind: 'volume',
        ...base,
        labelMap: at(item.labelMap),
        ...(mapping.labels && { labels: mapping.labels }),
      });
    } else {
      skipped.push({ path: image, reason: 'a volume needs a "labelMap" (binary masks apply to 2D images).' });
    }
  }
  return { refs, skipped };
}

export function discoverDataset(data: string): DatasetListing {
  const mapping = readMapping(data);
  const found = mapping.items
    ? fromItems(mapping, mapping.items)
    : (() => {
        // nnU-Net / MSD folders (imagesTr/, labelsTr/, ...) have their own rules, in discoverVolumes.ts.
        const layout = nnunetFolders(mapping.root);
        const files = listFiles(mapping.root).filter((f) => !layout.some((folder) => f.startsWith(folder + sep)));
        const flat = discover2d(files, mapping);
        const deep = discoverVolumesAndDicom(mapping.root, {
          dataset: mapping.name,
          ...(mapping.modality !== undefined && { modality: mapping.modality }),
          ...(mapping.labels && { labels: mapping.labels }),
          ...(mapping.nnunet && { nnunet: mapping.nnunet }),
        });
        return { refs: [...flat.refs, ...deep.refs], skipped: [...flat.skipped, ...deep.skipped] };
      })();
  const refs = found.refs.map((r) => ({ ...r, key: `${mapping.name}:${r.key}` }));
  return { name: mapping.name, refs, skipped: found.skipped };
}
