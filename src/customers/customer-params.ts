import { z } from 'zod';
import { customerIdSchema } from '../http/schemas.ts';

/** `/v1/customers/:customerId/…` (the bank's own customer id). */
export const customerParams = z.strictObject({ customerId: customerIdSchema });
