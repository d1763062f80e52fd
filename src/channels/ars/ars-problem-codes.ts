// The ARS channel's problem codes. Number vetting (docs/number-vetting.md): an ineligible phone number
// is 422 with the first reason as code.
import { problemsOf, type ProblemCatalogue } from '../../errors/problem.ts';

export const arsProblemCodes = {
  weak_secret: { status: 422, title: 'The secret is too easy to guess' },
  number_ineligible: { status: 422, title: 'The phone number cannot receive verification calls' },
  invalid_number: { status: 422, title: 'The phone number is not valid' },
  country_not_allowed: { status: 422, title: "The phone number's country is not allowed" },
  line_type_never_dialed: { status: 422, title: 'Numbers of this kind are never called' },
  line_type_not_allowed: { status: 422, title: 'The phone line type is not allowed' },
  line_type_unknown: { status: 422, title: 'The phone line type could not be established' },
  call_forwarding_active: { status: 422, title: 'Call forwarding is active on the phone number' },
  call_forwarding_unknown: { status: 422, title: 'Call forwarding could not be ruled out' },
  sim_swapped_recently: { status: 422, title: 'The SIM was swapped recently' },
  number_recently_changed: { status: 422, title: 'The phone number changed recently' },
} as const satisfies ProblemCatalogue;

export type ArsProblemCode = keyof typeof arsProblemCodes;

export const arsProblem = problemsOf(arsProblemCodes);
