import * as fs from 'node:fs';
import * as path from 'node:path';

import { HostSystemError } from '../errors';
import { decodeRecord, encodeRecord } from './recordCodec';
import type { EventToAppend, HubEvent, PartitionInfo, PartitionLog } from './types';

/**
 * fsync policy:
 * - 'always' (default): `flush` fdatasyncs the segment before a producer is told its events were accepted
 *   (concurrent flushes share one sync), so accepted events survive power loss.
 * - 'never': appended events are in the OS page cache as soon as `append` returns, which survives the
 *   process being killed (SIGKILL) but not the machine losing power.
 */
export type FsyncPolicy = 'always' | 'never';

export interface FilePartitionLogOptions {
  fsync?: FsyncPolicy;
  /** A new segment starts once the current one reaches this size. */
  segmentBytes?: number;
  /** Told about a torn tail that was cut off on open. */
  onTruncate?: (message: string) => void;
}

interface Segment {
  /** Partition byte offset of the segment's first byte (also its file name). */
  base: number;
  firstSequence: number;
  file: string;
  size: number;
}

const segmentName = /^(\d{20})\.ndjson$/;

/**
 * A partition as NDJSON segment files `<dir>/<base offset>.ndjson`, one record per line. An event's offset
 * is its byte position in the partition. A record is written with one write(2), so after SIGKILL at most
 * the last line is torn; open() finds it (no newline, or not a whole record) and truncates it away.
 */
export class FilePartitionLog implements PartitionLog {
  private readonly segments: Segment[] = [];
  /** Byte offset of every event, by sequence number. */
  private readonly offsets: number[] = [];
  private readonly times: number[] = [];
  private fd: number;
  private dirty = false;
  private syncChain: Promise<void> = Promise.resolve();
  private readonly fsync: FsyncPolicy;
  private readonly segmentBytes: number;

  constructor(
    readonly partitionId: string,
    private readonly dir: string,
    options: FilePartitionLogOptions = {},
  ) {
    this.fsync = options.fsync ?? 'always';
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    fs.mkdirSync(dir, { recursive: true });
    const names = fs
      .readdirSync(dir)
      .filter((n) => segmentName.test(n))
      .sort();
    names.forEach((name, i) => this.loadSegment(name, i === names.length - 1, options.onTruncate));
    if (this.segments.length === 0) this.createSegment(0);
    const current = this.segments[this.segments.length - 1] as Segment;
    this.fd = fs.openSync(current.file, 'a+');
  }

  get nextSequenceNumber(): number {
    return this.offsets.length;
  }

  private loadSegment(name: string, isLast: boolean, onTruncate?: (message: string) => void): void {
    const file = path.join(this.dir, name);
    const base = Number(segmentName.exec(name)?.[1]);
    const expectedBase = this.endOffset();
    if (base !== expectedBase) {
      throw new HostSystemError(
        `Event hub log ${this.dir}: segment ${name} starts at offset ${base} but the previous segment ends at ${expectedBase}; the log is damaged.`,
      );
    }
    const data = fs.readFileSync(file);
    const segment: Segment = { base, firstSequence: this.offsets.length, file, size: 0 };
    let pos = 0;
    while (pos < data.length) {
      const newline = data.indexOf(0x0a, pos);
      const event = newline === -1 ? undefined : decodeRecord(data.toString('utf8', pos, newline), base + pos);
      if (!event || event.sequenceNumber !== this.offsets.length) {
        if (!isLast) {
          throw new HostSystemError(
            `Event hub log ${file}: bad record at byte ${pos} in a sealed segment; the log is damaged.`,
          );
        }
        fs.truncateSync(file, pos);
        onTruncate?.(
          `Event hub log ${file}: cut ${data.length - pos} bytes of a torn record at byte ${pos} (left by a crash).`,
        );
        break;
      }
      this.offsets.push(base + pos);
      this.times.push(event.enqueuedTime.getTime());
      pos = (newline as number) + 1;
    }
    segment.size = pos;
    this.segments.push(segment);
  }

  private endOffset(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? last.base + last.size : 0;
  }

  private createSegment(base: number): void {
    const file = path.join(this.dir, `${String(base).padStart(20, '0')}.ndjson`);
    fs.writeFileSync(file, '');
    if (this.fsync === 'always') syncDir(this.dir);
    this.segments.push({ base, firstSequence: this.offsets.length, file, size: 0 });
  }

  append(events: readonly EventToAppend[], now: Date): HubEvent[] {
    if (events.length === 0) return [];
    let segment = this.segments[this.segments.length - 1] as Segment;
    if (segment.size >= this.segmentBytes) {
      if (this.fsync === 'always') fs.fdatasyncSync(this.fd);
      fs.closeSync(this.fd);
      this.createSegment(segment.base + segment.size);
      segment = this.segments[this.segments.length - 1] as Segment;
      this.fd = fs.openSync(segment.file, 'a+');
    }
    const appended: HubEvent[] = [];
    const lines: string[] = [];
    let offset = segment.base + segment.size;
    for (const e of events) {
      const event: HubEvent = {
        ...e,
        sequenceNumber: this.offsets.length + appended.length,
        offset: String(offset),
        enqueuedTime: now,
      };
      const line = encodeRecord(event);
      lines.push(line);
      appended.push(event);
      offset += Buffer.byteLength(line, 'utf8');
    }
    // One write for the whole batch: a crash leaves at most one torn tail, never a gap.
    const buffer = Buffer.from(lines.join(''), 'utf8');
    let written = 0;
    while (written < buffer.length) written += fs.writeSync(this.fd, buffer, written);
    for (const event of appended) {
      this.offsets.push(Number(event.offset));
      this.times.push(now.getTime());
    }
    segment.size += buffer.length;
    this.dirty = true;
    return appended;
  }

  flush(): Promise<void> {
    if (this.fsync === 'never') return Promise.resolve();
    this.syncChain = this.syncChain.then(
      () =>
        new Promise<void>((resolve, reject) => {
          if (!this.dirty) return resolve();
          this.dirty = false;
          fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve()));
        }),
    );
    return this.syncChain;
  }

  private segmentIndexFor(sequenceNumber: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.segments[mid] as Segment).firstSequence <= sequenceNumber) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  read(from: number, max: number): HubEvent[] {
    const end = Math.min(this.offsets.length, from + max);
    const events: HubEvent[] = [];
    let seq = Math.max(0, from);
    while (seq < end) {
      const index = this.segmentIndexFor(seq);
      const segment = this.segments[index] as Segment;
      const next = this.segments[index + 1];
      const stop = Math.min(end, next ? next.firstSequence : this.offsets.length);
      const startByte = (this.offsets[seq] as number) - segment.base;
      const endByte =
        (stop < this.offsets.length ? (this.offsets[stop] as number) : segment.base + segment.size) - segment.base;
      const buffer = Buffer.alloc(endByte - startByte);
      const isCurrent = index === this.segments.length - 1;
      const fd = isCurrent ? this.fd : fs.openSync(segment.file, 'r');
      try {
        let got = 0;
        while (got < buffer.length) {
          const n = fs.readSync(fd, buffer, got, buffer.length - got, startByte + got);
          if (n === 0) break;
          got += n;
        }
      } finally {
        if (!isCurrent) fs.closeSync(fd);
      }
      let pos = 0;
      for (; seq < stop; seq++) {
        const newline = buffer.indexOf(0x0a, pos);
        const event = decodeRecord(buffer.toString('utf8', pos, newline), this.offsets[seq] as number);
        if (!event)
          throw new HostSystemError(
            `Event hub log ${segment.file}: record ${seq} could not be read back; the log is damaged.`,
          );
        events.push(event);
        pos = newline + 1;
      }
    }
    return events;
  }

  sequenceNumberAt(time: Date): number {
    const t = time.getTime();
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  info(): PartitionInfo {
    const last = this.offsets.length - 1;
    return {
      partitionId: this.partitionId,
      beginningSequenceNumber: 0,
      lastSequenceNumber: last,
      lastOffset: last >= 0 ? String(this.offsets[last]) : null,
      lastEnqueuedTimeUtc: last >= 0 ? new Date(this.times[last] as number).toISOString() : null,
    };
  }

  close(): void {
    if (this.fsync === 'always' && this.dirty) fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the file's own sync still holds its data.
  }
}
