import { describe, expect, it } from 'vitest'
import { createCircuitBreaker } from './breaker.js'

describe('createCircuitBreaker', () => {
  it('opens after consecutive failures, lets one probe through after the cool-down, closes on success', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 3, coolDownMs: 1000 })
    for (let t = 0; t < 2; t++) breaker.failure('canary', t)
    expect(breaker.state('canary', 2)).toBe('closed')
    breaker.success('canary')
    for (let t = 0; t < 3; t++) breaker.failure('canary', t)
    expect(breaker.state('canary', 10)).toBe('open')
    expect(breaker.allow('canary', 999)).toBe(false)
    expect(breaker.allow('control', 999)).toBe(true)
    expect(breaker.state('canary', 1002)).toBe('half_open')
    expect(breaker.allow('canary', 1002)).toBe(true)
    expect(breaker.allow('canary', 1003)).toBe(false)
    breaker.success('canary')
    expect(breaker.state('canary', 1004)).toBe('closed')
  })
  it('a failed probe opens the circuit for another cool-down', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, coolDownMs: 100 })
    breaker.failure('v', 0)
    expect(breaker.allow('v', 100)).toBe(true)
    breaker.failure('v', 150)
    expect(breaker.state('v', 200)).toBe('open')
    expect(breaker.state('v', 250)).toBe('half_open')
  })
})
