/**
 * A tiny zip writer for tests of the model archive reader: stored or deflated members, and an option
 * to write every size and offset through ZIP64 fields (as an archive with a member over 4 GiB must),
 * so ZIP64 parsing is tested on a few bytes. `startOffset` builds an archive whose first member begins
 * at that byte (the caller writes the buffer there, e.g. past 4 GiB in a sparse file).
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipMember {
  name: string;
  data: Buffer;
  method?: 'stored' | 'deflate';
}

export interface ZipOptions {
  zip64?: boolean;
  comment?: string;
  startOffset?: number;
}

const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const MAX32 = 0xffffffff;

/** The archive's bytes, to be placed at `startOffset` of the file. */
export function buildZip(members: ZipMember[], options: ZipOptions = {}): Buffer {
  const zip64 = options.zip64 ?? false;
  const start = options.startOffset ?? 0;
  const version = zip64 ? 45 : 20;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = start;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const method = member.method === 'deflate' ? 8 : 0;
    const body = method === 8 ? deflateRawSync(member.data) : member.data;
    const crc = crc32(member.data);
    const needs64 = zip64 || offset > MAX32;
    const sizes = (fields: number[]) => Buffer.concat([u16(0x0001), u16(fields.length * 8), ...fields.map(u64)]);
    const localExtra = needs64 ? sizes([member.data.length, body.length]) : Buffer.alloc(0);
    const local = Buffer.concat([
      u32(0x04034b50),
      u16(version),
      u16(0x800), // UTF-8 names
      u16(method),
      u16(0),
      u16(0),
      u32(crc),
      u32(needs64 ? MAX32 : body.length),
      u32(needs64 ? MAX32 : member.data.length),
      u16(name.length),
      u16(localExtra.length),
      name,
      localExtra,
      body,
    ]);
    const centralExtra = needs64 ? sizes([member.data.length, body.length, offset]) : Buffer.alloc(0);
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(version),
        u16(version),
        u16(0x800),
        u16(method),
        u16(0),
        u16(0),
        u32(crc),
        u32(needs64 ? MAX32 : body.length),
        u32(needs64 ? MAX32 : member.data.length),
        u16(name.length),
        u16(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(needs64 ? MAX32 : offset),
        name,
        centralExtra,
      ]),
    );
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const directoryOffset = offset;
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const tail: Buffer[] = [];
  const needs64 = zip64 || directoryOffset > MAX32;
  if (needs64) {
    const end64Offset = directoryOffset + directory.length;
    tail.push(
      Buffer.concat([
        u32(0x06064b50),
        u64(44),
        u16(version),
        u16(version),
        u32(0),
        u32(0),
        u64(members.length),
        u64(members.length),
        u64(directory.length),
        u64(directoryOffset),
      ]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(end64Offset), u32(1)]),
    );
  }
  tail.push(
    Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(needs64 ? 0xffff : members.length),
      u16(needs64 ? 0xffff : members.length),
      u32(needs64 ? MAX32 : directory.length),
      u32(needs64 ? MAX32 : directoryOffset),
      u16(comment.length),
      comment,
    ]),
  );
  return Buffer.concat([...locals, directory, ...tail]);
}
