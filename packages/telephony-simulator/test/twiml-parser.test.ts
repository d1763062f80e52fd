import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collapsedText, parseTwiml, TwimlParseError } from '../src/twiml-parser.ts';

describe('TwiML parser', () => {
  it('reads elements, attributes, entities, CDATA and SSML text', () => {
    const root = parseTwiml(`<?xml version="1.0" encoding="UTF-8"?>
      <!-- greeting -->
      <Response>
        <Say language='ko-KR' voice="Polly.Seoyeon">김철수 &amp; <prosody rate="slow">1 1 0</prosody>&#44; <![CDATA[<raw>]]></Say>
        <Gather numDigits="4" action="/g?a=1&amp;b=2"/>
      </Response>`);
    assert.equal(root.name, 'Response');
    const [say, gather] = root.children.filter((child) => typeof child !== 'string');
    assert.equal(typeof say === 'object' && say.attributes.language, 'ko-KR');
    assert.equal(collapsedText(say!), '김철수 & 1 1 0, <raw>');
    assert.equal(typeof gather === 'object' && gather.attributes.action, '/g?a=1&b=2');
  });

  it('rejects malformed documents', () => {
    for (const bad of ['', '<Response>', '<Response><Say></Response>', '<Response></Response><Extra/>', '<Response a="1" a="2"/>', '<!DOCTYPE x><Response/>', '<Response>&bogus;</Response>']) {
      assert.throws(() => parseTwiml(bad), TwimlParseError, bad);
    }
  });
});
