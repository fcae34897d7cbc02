/**
 * Where a SEG can be stored and what a failed store tells the radiologist; and the segments'
 * records (coded type, models, prompt kinds) that the SEG carries.
 */
import type { ViewerHost } from '../../../extensions/sam-segmentation/src/ohif/host/hostTypes';
import { describeStoreFailure, storeTarget } from '../../../extensions/sam-segmentation/src/ohif/labelmap/segStore';
import { SegmentRecords } from '../../../extensions/sam-segmentation/src/ohif/labelmap/segmentRecords';
import {
  frameOfImageId,
  loadedSegmentCodes,
  uuidToUid,
} from '../../../extensions/sam-segmentation/src/ohif/labelmap/segDataset';

function hostWith(namespace: string, sourceName: string, store?: { dicom?: unknown }): ViewerHost {
  return {
    extensionManager: {
      getModuleEntry: () => undefined,
      getActiveDataSourceDefinition: () => ({ sourceName, namespace }),
      getDataSources: () => [store === undefined ? {} : { store }],
    },
  } as unknown as ViewerHost;
}

describe('where a SEG can be stored', () => {
  it('a DICOMweb data source with STOW-RS: stores there', async () => {
    const sent: ArrayBuffer[] = [];
    const target = storeTarget(
      hostWith('@ohif/extension-default.dataSourcesModule.dicomweb', 'orthanc', {
        dicom: (bytes: ArrayBuffer) => Promise.resolve(void sent.push(bytes)),
      }),
    );
    expect('name' in target && target.name).toBe('orthanc');
    if ('store' in target) await target.store(new ArrayBuffer(4));
    expect(sent).toHaveLength(1);
  });

  it('local files (dicomlocal) or a JSON source: cannot, and says Download instead', () => {
    for (const [namespace, name] of [
      ['@ohif/extension-default.dataSourcesModule.dicomlocal', 'dicomlocal'],
      ['@ohif/extension-default.dataSourcesModule.dicomjson', 'dicomjson'],
    ]) {
      const target = storeTarget(hostWith(namespace!, name!, { dicom: () => Promise.resolve() }));
      expect('cannot' in target && target.cannot).toMatch(/nothing can be stored to a PACS.*Download SEG/);
    }
  });

  it('a data source without a DICOM store: cannot, named', () => {
    const target = storeTarget(hostWith('@acme/ds.dataSourcesModule.custom', 'archive'));
    expect('cannot' in target && target.cannot).toMatch(/"archive" cannot store DICOM/);
  });
});

describe('a failed store, in words', () => {
  const failure = (status: number) => Object.assign(new Error('request failed'), { status });
  it.each([
    [0, /could not be reached.*POST \/dicom-web\/studies/],
    [403, /did not allow storing \(HTTP 403\)/],
    [405, /does not accept DICOM uploads.*HTTP 405/],
    [413, /larger than the web server accepts.*client_max_body_size/],
    [409, /refused the SEG \(HTTP 409\)/],
    [503, /failed while storing \(HTTP 503\): try again/],
  ])('HTTP %s', (status, expected) => {
    expect(describeStoreFailure(failure(status))).toMatch(expected);
  });
  it('a status on the request (dicomweb-client) is read too', () => {
    expect(describeStoreFailure({ request: { status: 413 } })).toMatch(/HTTP 413/);
  });
});

describe('the segments’ records', () => {
  it('default to Tissue; keep the chosen type, the models and the prompt kinds', () => {
    const records = new SegmentRecords();
    expect(records.type('s', 1).type.CodeMeaning).toBe('Tissue');
    records.setType('s', 1, 'liver');
    records.noteWrite('s', 1, { id: 'mobile-sam', version: 'v1' }, 'point');
    records.noteWrite('s', 1, { id: 'mobile-sam', version: 'v1' }, 'box');
    records.noteWrite('s', 1, undefined, 'propagation');
    expect(records.type('s', 1).type.CodeMeaning).toBe('Liver');
    expect(records.algorithmDetails('s', 1)).toEqual({
      version: 'mobile-sam v1',
      parameters: 'prompts: box, point, propagation',
    });
    expect(records.algorithmDetails('s', 2)).toEqual({});
    expect(() => records.setType('s', 1, 'elbow')).toThrow(/Unknown segment type "elbow"/);
    expect(records.chosenType('s', 2)).toBeUndefined();
  });

  it('of a segmentation loaded from a SEG: that SEG’s codes, also ones not in the panel’s list', () => {
    const sct = (CodeValue: string, CodeMeaning: string) => ({ CodeValue, CodingSchemeDesignator: 'SCT', CodeMeaning });
    const seg = {
      instance: {
        SegmentSequence: [
          // dcmjs gives a one-item sequence as an array, or (older naturalizers) as the item itself
          {
            SegmentNumber: 1,
            SegmentedPropertyCategoryCodeSequence: [sct('91723000', 'Anatomical Structure')],
            SegmentedPropertyTypeCodeSequence: [sct('10200004', 'Liver')],
          },
          {
            SegmentNumber: '2',
            SegmentedPropertyCategoryCodeSequence: sct('91723000', 'Anatomical Structure'),
            SegmentedPropertyTypeCodeSequence: sct('76752008', 'Breast'),
          },
          { SegmentNumber: 3, SegmentedPropertyTypeCodeSequence: [{ CodeMeaning: 'no code value' }] },
        ],
      },
    };
    const host = {
      services: { displaySetService: { getDisplaySetByUID: (uid: string) => (uid === 'seg-1' ? seg : undefined) } },
    } as unknown as ViewerHost;
    const codes = loadedSegmentCodes(host, 'seg-1');
    expect([...codes.keys()]).toEqual([1, 2]);
    expect(codes.get(2)).toEqual({
      category: sct('91723000', 'Anatomical Structure'),
      type: sct('76752008', 'Breast'),
    });
    expect(loadedSegmentCodes(host, 'made-in-the-viewer').size).toBe(0);
  });
});

describe('frames and UIDs', () => {
  it('the frame of a multi-frame image id, WADO-RS, WADO-URI and dicomfile', () => {
    expect(frameOfImageId('wadors:http://h/dicom-web/studies/1/series/2/instances/3/frames/7')).toBe(7);
    expect(frameOfImageId('wadouri:http://h/x.dcm?frame=4')).toBe(4);
    expect(frameOfImageId('dicomfile:12?frame=0')).toBe(1);
    expect(() => frameOfImageId('wadors:http://h/instances/3')).toThrow(/Cannot tell which frame/);
  });
  it('a UUID as a 2.25 UID', () => {
    expect(uuidToUid('00000000-0000-0000-0000-00000000000a')).toBe('2.25.10');
    expect(uuidToUid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(`2.25.${2n ** 128n - 1n}`);
  });
});
