/**
 * The Bedrock signer against AWS's published Signature Version 4 test suite
 * (aws-sig-v4-test-suite: credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z,
 * us-east-1, service "service"). Each expected signature is the suite's own.
 */
import { describe, expect, it } from '@jest/globals'
import { signSigV4, type SignInput } from '../../../src/sandbox/sigv4.js'

const SUITE = {
  host: 'example.amazonaws.com',
  region: 'us-east-1',
  service: 'service',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  now: new Date('2015-08-30T12:36:00Z'),
  body: ''
}
const TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=='
const UNRESERVED = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

type Vector = [name: string, request: Partial<SignInput> & { method: string; path: string }, signature: string]

const VECTORS: Vector[] = [
  ['get-vanilla', { method: 'GET', path: '/' }, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
  [
    'get-vanilla-query-order-key-case',
    { method: 'GET', path: '/', query: 'Param2=value2&Param1=value1' },
    'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'
  ],
  [
    'get-vanilla-empty-query-key',
    { method: 'GET', path: '/', query: 'Param1=value1' },
    'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb'
  ],
  [
    'get-vanilla-query-unreserved',
    { method: 'GET', path: '/', query: `${UNRESERVED}=${UNRESERVED}` },
    '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197'
  ],
  [
    'get-vanilla-utf8-query',
    { method: 'GET', path: '/', query: 'ሴ=bar' },
    '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04'
  ],
  [
    'get-unreserved',
    { method: 'GET', path: `/${UNRESERVED}` },
    '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f'
  ],
  ['get-utf8', { method: 'GET', path: '/ሴ' }, '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'],
  [
    'get-header-value-trim',
    { method: 'GET', path: '/', headers: { 'My-Header1': ' value1', 'My-Header2': '"a   b   c"' } },
    'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736'
  ],
  ['post-vanilla', { method: 'POST', path: '/' }, '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
  [
    'post-vanilla-query',
    { method: 'POST', path: '/', query: 'Param1=value1' },
    '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11'
  ],
  [
    'post-vanilla-query-nonunreserved',
    // The suite's query `@#$%^=&+=/,?><\`";:\|][{}`, percent-encoded as it would travel.
    { method: 'POST', path: '/', query: '%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D' },
    '66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e'
  ],
  [
    'post-header-key-sort',
    { method: 'POST', path: '/', headers: { 'My-Header1': 'value1' } },
    'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c'
  ],
  [
    'post-header-value-case',
    { method: 'POST', path: '/', headers: { 'My-Header1': 'VALUE1' } },
    'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d'
  ],
  [
    'post-x-www-form-urlencoded',
    {
      method: 'POST',
      path: '/',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1'
    },
    'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a'
  ],
  [
    'post-sts-header-before',
    { method: 'POST', path: '/', credentials: { ...SUITE.credentials, sessionToken: TOKEN } },
    '85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead'
  ]
]

describe('signSigV4', () => {
  it.each(VECTORS)('%s', (_name, request, signature) => {
    const signed = signSigV4({ ...SUITE, ...request })
    expect(signed.signature).toBe(signature)
    expect(signed.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=${signature}$`
      )
    )
    expect(signed.headers['x-amz-date']).toBe('20150830T123600Z')
  })

  it('signs the session token as a header and sends it (post-sts-header-before)', () => {
    const signed = signSigV4({
      ...SUITE,
      method: 'POST',
      path: '/',
      credentials: { ...SUITE.credentials, sessionToken: TOKEN }
    })
    expect(signed.headers['x-amz-security-token']).toBe(TOKEN)
    expect(signed.headers.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,')
    expect(signed.stringToSign).toBe(
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nc237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6'
    )
  })

  it("encodes a Bedrock model id's path segments again, as AWS does for every service but S3", () => {
    const signed = signSigV4({
      ...SUITE,
      method: 'POST',
      path: '/model/eu.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream',
      body: '{}'
    })
    expect(signed.canonicalRequest.split('\n')[1]).toBe(
      '/model/eu.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream'
    )
    const encoded = signSigV4({ ...SUITE, method: 'POST', path: '/model/a%3A0/invoke', body: '{}' })
    expect(encoded.canonicalRequest.split('\n')[1]).toBe('/model/a%253A0/invoke')
  })

  it('never puts the secret key in what it returns', () => {
    const signed = signSigV4({ ...SUITE, method: 'GET', path: '/' })
    expect(JSON.stringify(signed)).not.toContain(SUITE.credentials.secretAccessKey)
  })
})
