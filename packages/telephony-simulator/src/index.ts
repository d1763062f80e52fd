// @stepup/telephony-simulator: what a consumer (the demo, the suite, chaos, bench) may use. `src/main.ts`
// is the stand-alone process (`npm start` here, `npm run simulator` at the repository root).
export { createSimulator, type Simulator, type SimulatorOptions } from './create-simulator.ts';
export type { AnswerMode, CallStatus, LineType, SimCallView, SimNumber, TranscriptLine } from './simulator-state.ts';
export type { DigitsOutcome } from './call-engine.ts';
export { twilioSignature } from './signed-webhook.ts';
