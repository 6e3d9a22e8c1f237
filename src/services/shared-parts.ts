/**
 * The part of live frames that comes from their message, encoded once and shared by every
 * frame of that message read together, so 10k frames of one bucket message encode it once.
 *
 * A part depends on a few values besides the message (format, read state, …): its variant.
 * Frames of one message nearly always ask for the variant asked last, so that one is compared
 * value by value first; only a different one builds a key and looks in the map (building a
 * key and hashing it for every frame was a third of a frame's encoding cost).
 */
export class SharedParts {
  private readonly byKey = new Map<string, string>();
  private lastVariant: readonly unknown[] | undefined;
  private lastPart = '';

  /** The part for this variant, encoded by `encode` the first time it is asked for. */
  part(variant: readonly unknown[], encode: () => string): string {
    if (this.isLast(variant)) return this.lastPart;
    const key = variant.map(String).join('\u0000');
    let part = this.byKey.get(key);
    if (part === undefined) {
      part = encode();
      this.byKey.set(key, part);
    }
    this.lastVariant = variant;
    this.lastPart = part;
    return part;
  }

  private isLast(variant: readonly unknown[]): boolean {
    const last = this.lastVariant;
    if (last === undefined || last.length !== variant.length) return false;
    for (let i = 0; i < variant.length; i++) if (last[i] !== variant[i]) return false;
    return true;
  }
}
