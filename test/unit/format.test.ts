import { describe, expect, it } from '@jest/globals'
import { duration, timeoutMessage, usd } from '../../src/util/format.js'

describe('duration', () => {
  it('formats durations under a minute with tenths of a second', () => {
    expect(duration(0)).toBe('0.0s')
    expect(duration(1234)).toBe('1.2s')
    expect(duration(45_500)).toBe('45.5s')
  })

  it('formats longer durations in minutes and seconds, then hours and minutes, then days and hours', () => {
    expect(duration(60_000)).toBe('1m 0s')
    expect(duration(61_000)).toBe('1m 1s')
    expect(duration(185_000)).toBe('3m 5s')
    expect(duration(3_600_000)).toBe('1h 0m')
    expect(duration(3_661_000)).toBe('1h 1m')
    expect(duration(93_600_000)).toBe('1d 2h')
  })

  it('never shows 60 seconds', () => {
    expect(duration(59_960)).toBe('1m 0s')
    expect(duration(119_600)).toBe('2m 0s')
    expect(duration(179_500)).toBe('3m 0s')
  })
})

describe('usd', () => {
  it('formats dollars with cents, and small amounts with four decimals', () => {
    expect(usd(0)).toBe('$0.0000')
    expect(usd(0.0612)).toBe('$0.0612')
    expect(usd(0.123456)).toBe('$0.1235')
    expect(usd(1)).toBe('$1.00')
    expect(usd(12.345)).toBe('$12.35')
  })
})

describe('timeoutMessage', () => {
  it('names the limit in whole minutes, or in seconds when it is not whole minutes', () => {
    expect(timeoutMessage(30 * 60000)).toBe('did not finish within the 30 minutes phase timeout')
    expect(timeoutMessage(60000)).toBe('did not finish within the 1 minute phase timeout')
    expect(timeoutMessage(4500)).toBe('did not finish within the 5 seconds phase timeout')
  })
})
