/** A channel's or rule's vocabulary as last saved, and the client-only parts of its shape. */
export interface ClientShapeTable {
  /** `channel` or `rule`. */
  kind: string;
  /** The channel type or the rule id. */
  subject_id: string;
  /** The vocabulary it was saved in, e.g. `gatwy`. */
  dialect: string;
  /** JSON: what that client wrote that the core does not keep. */
  shape: string;
  updated_at: number;
}
