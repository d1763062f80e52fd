// The shared secrets of the RFC test vectors (RFC 4226 Appendix D, RFC 6238 Appendix B,
// RFC 6287 Appendix C): ASCII digits repeated to 20, 32 and 64 bytes.
const ascii = (text: string) => new Uint8Array(Buffer.from(text, 'ascii'));

export const standardKey20 = ascii('12345678901234567890');
export const standardKey32 = ascii('12345678901234567890123456789012');
export const standardKey64 = ascii('1234567890123456789012345678901234567890123456789012345678901234');
