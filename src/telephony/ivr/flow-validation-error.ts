// Thrown at start-up when ivr-flows/ is not usable: the server must not place calls with missing or
// broken wording. Each problem names the file and the field, so the message can be acted on as is.

export interface FlowProblem {
  file: string;
  /** Dotted path inside the file ("messages.ask"), empty for the whole file. */
  field: string;
  message: string;
}

export class FlowValidationError extends Error {
  readonly code = 'invalid_ivr_flows';
  readonly problems: readonly FlowProblem[];

  constructor(problems: readonly FlowProblem[]) {
    const lines = problems.map(({ file, field, message }) => `  ${file}${field ? `: ${field}` : ''}: ${message}`);
    super(`ivr-flows are not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'FlowValidationError';
    this.problems = problems;
  }
}
