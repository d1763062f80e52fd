import { z } from 'zod';

export const problemBodySchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Identifier of a customer as the bank knows it: opaque, but bounded and printable. */
export const customerIdSchema = z.string().regex(/^[A-Za-z0-9._:@-]{1,64}$/, 'customerId: 1–64 characters of A–Z a–z 0–9 . _ : @ -');
