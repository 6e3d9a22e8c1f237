import { Type } from 'typebox';

/** The one error shape (the inbox family's `codersdk.Response`). */
export const ErrorBody = Type.Object(
  {
    message: Type.String(),
    detail: Type.String(),
    validations: Type.Array(Type.Object({ field: Type.String(), detail: Type.String() })),
    code: Type.Optional(
      Type.Integer({ description: 'Stable catalogue number of this error (docs/errors.md).' }),
    ),
  },
  { $id: 'Error', description: 'Every error: what went wrong, more detail, and each invalid field.' },
);

export const Ok = Type.Object({ ok: Type.Boolean() });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** Response entries for the usual failures, so the OpenAPI document lists them. */
export const errorResponses = (...codes: number[]): Record<number, unknown> =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref('Error')]));

export const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
