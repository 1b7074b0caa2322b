import type { EventToAppend, HubEvent, PartitionInfo, PartitionLog } from './types';

/** The partition log for the in-memory store (fast tests): same semantics, nothing on disk. */
export class MemoryPartitionLog implements PartitionLog {
  private readonly events: HubEvent[] = [];
  private bytes = 0;

  constructor(readonly partitionId: string) {}

  get nextSequenceNumber(): number {
    return this.events.length;
  }

  append(events: readonly EventToAppend[], now: Date): HubEvent[] {
    return events.map((e) => {
      const event: HubEvent = {
        ...e,
        sequenceNumber: this.events.length,
        offset: String(this.bytes),
        enqueuedTime: now,
      };
      this.bytes += e.body.length + 1;
      this.events.push(event);
      return event;
    });
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  read(from: number, max: number): HubEvent[] {
    return this.events.slice(from, from + max);
  }

  sequenceNumberAt(time: Date): number {
    const index = this.events.findIndex((e) => e.enqueuedTime.getTime() >= time.getTime());
    return index === -1 ? this.events.length : index;
  }

  info(): PartitionInfo {
    const last = this.events[this.events.length - 1];
    return {
      partitionId: this.partitionId,
      beginningSequenceNumber: 0,
      lastSequenceNumber: this.events.length - 1,
      lastOffset: last ? last.offset : null,
      lastEnqueuedTimeUtc: last ? last.enqueuedTime.toISOString() : null,
    };
  }

  close(): void {}
}
