// The app's Twilio REST client (src/telephony/twilio-client.ts): with TWILIO_API_BASE_URL every SDK
// request to *.twilio.com goes to that base URL, path and query unchanged, and nothing else moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteTwilioUri } from '../../src/telephony/twilio-client.ts';

describe('twilio client: TWILIO_API_BASE_URL', () => {
  it('rewrites only twilio.com URIs', () => {
    assert.equal(rewriteTwilioUri('https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?x=1', 'http://127.0.0.1:9/base/'), 'http://127.0.0.1:9/base/2010-04-01/Accounts/AC1/Calls.json?x=1');
    assert.equal(rewriteTwilioUri('https://lookups.twilio.com/v2/PhoneNumbers/%2B1', 'http://h:1'), 'http://h:1/v2/PhoneNumbers/%2B1');
    assert.equal(rewriteTwilioUri('https://example.com/x', 'http://h:1'), 'https://example.com/x');
  });
});
