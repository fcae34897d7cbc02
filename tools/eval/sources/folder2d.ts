/**
 * Discovery of 2D images with one binary mask per object (PNG or JPEG images, PNG masks):
 *
 *  - an image `<stem>.png|jpg|jpeg` anywhere under the root, except in folders named `masks` or `labels`;
 *  - its masks: PNG files named `<stem>_<object>.png` or `<stem>-<object>.png`, next to it, in a `masks`
 *    or `labels` folder beside it, or in a `masks` / `labels` folder beside its folder (the layouts of
 *    SAM-Med2D's `images/` + `masks/` and of flat folders such as `1.jpg` + `1-mask.png`);
 *  - the object's name is `<object>` without a trailing instance number (`liver_000` → `liver`), then
 *    renamed by the mapping's `objects` when listed there. A mask matching two stems goes to the longer.
 *
 * An image without masks, a mask without an image and a JPEG in a mask folder are reported as skipped,
 * never counted. (Files of other formats are reported by discoverVolumes.ts, which reads every file's head.)
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { IMAGE_2D_FILE } from './image2d';
import type { DatasetMapping } from './mapping';
import type { ImageRef, SkippedFile } from './types';

const MASK_FOLDER = /^(masks|labels)$/i;

/** Every file under `dir`, sorted, skipping hidden entries. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** The object name a mask file gives, after the image's stem and separator. */
export function objectNameOf(maskFile: string, stem: string, renames: Record<string, string> = {}): string {
  const rest = basename(maskFile, extname(maskFile)).slice(stem.length + 1);
  const name = rest.replace(/_\d+$/, '') || rest;
  return renames[rest] ?? renames[name] ?? name;
}

/** The longest stem in `stems` that `name` starts with, followed by "_" or "-". */
function longestStemOf(name: string, stems: ReadonlySet<string> | undefined): string | undefined {
  if (!stems) return undefined;
  for (let i = name.length - 1; i > 0; i--) {
    const c = name[i];
    if ((c === '_' || c === '-') && stems.has(name.slice(0, i))) return name.slice(0, i);
  }
  return undefined;
}

export function discover2d(
  files: readonly string[],
  mapping: Pick<DatasetMapping, 'name' | 'root' | 'modality' | 'objects'>,
): { refs: ImageRef[]; skipped: SkippedFile[] } {
  const pictures = files.filter((f) => IMAGE_2D_FILE.test(f));
  const inMaskFolder = (f: string) => MASK_FOLDER.test(basename(dirname(f)));
  const stem = (f: string) => basename(f, extname(f));
  // Stems of the files outside mask folders, per folder; a PNG named after another of them is a flat mask.
  const stemsIn = new Map<string, Set<string>>();
  for (const f of pictures) {
    if (inMaskFolder(f)) continue;
    const folder = dirname(f);
    if (!stemsIn.has(folder)) stemsIn.set(folder, new Set());
    stemsIn.get(folder)!.add(stem(f));
  }
  const isFlatMask = (f: string) =>
    /\.png$/i.test(f) && longestStemOf(basename(f), stemsIn.get(dirname(f))) !== undefined;
  const images = pictures.filter((f) => !inMaskFolder(f) && !isFlatMask(f));
  const imageAt = new Map(images.map((f) => [`${dirname(f)}\0${stem(f)}`, f]));
  const imageStems = new Map<string, Set<string>>();
  const imageFoldersIn = new Map<string, string[]>();
  for (const f of images) {
    const folder = dirname(f);
    if (!imageStems.has(folder)) {
      imageStems.set(folder, new Set());
      imageFoldersIn.set(dirname(folder), [...(imageFoldersIn.get(dirname(folder)) ?? []), folder]);
    }
    imageStems.get(folder)!.add(stem(f));
  }

  // Each mask candidate goes to the image with the longest matching stem, looking in its own folder,
  // then (for a masks/ or labels/ folder) the folder holding it and that folder's other subfolders.
  const masksOf = new Map<string, string[]>();
  const orphans: string[] = [];
  for (const f of pictures) {
    if (!/\.png$/i.test(f) || !(inMaskFolder(f) || isFlatMask(f))) continue;
    const folder = dirname(f);
    const candidates = inMaskFolder(f) ? [dirname(folder), ...(imageFoldersIn.get(dirname(folder)) ?? [])] : [folder];
    let owner: string | undefined;
    let ownerStem = '';
    for (const c of candidates) {
      const s = longestStemOf(basename(f), imageStems.get(c));
      if (s !== undefined && s.length > ownerStem.length) {
        owner = imageAt.get(`${c}\0${s}`);
        ownerStem = s;
      }
    }
    if (owner) masksOf.set(owner, [...(masksOf.get(owner) ?? []), f]);
    else orphans.push(f);
  }

  const refs: ImageRef[] = [];
  const skipped: SkippedFile[] = [];
  for (const image of images) {
    const found = masksOf.get(image) ?? [];
    if (found.length === 0) {
      skipped.push({
        path: image,
        reason: `no mask file (expected ${stem(image)}_<object>.png beside it or in masks/).`,
      });
      continue;
    }
    const masks: Record<string, string> = {};
    for (const f of found.sort()) {
      const base = objectNameOf(f, stem(image), mapping.objects);
      let name = base;
      // Two instances of one object on an image stay apart: liver, liver#2.
      for (let k = 2; name in masks; k++) name = `${base}#${k}`;
      masks[name] = f;
    }
    refs.push({
      kind: 'image2d',
      key: relative(mapping.root, image),
      dataset: mapping.name,
      modality: mapping.modality ?? 'unknown',
      image,
      masks,
    });
  }
  for (const f of orphans) skipped.push({ path: f, reason: 'a mask without an image.' });
  for (const f of pictures.filter((p) => inMaskFolder(p) && !/\.png$/i.test(p))) {
    const folder = basename(dirname(f));
    skipped.push({
      path: f,
      reason: `a JPEG in a ${folder}/ folder: masks are read from PNG files only (JPEG alters their edges).`,
    });
  }
  return { refs, skipped };
}
