// What core reads of a Fastify request. A class: its methods live on the prototype, so a request costs
// one small object instead of an object and six closures.
import type { RequestView } from '@splitlane/core/adapter'
import type { FastifyRequest } from 'fastify'

export class FastifyView implements RequestView {
  constructor(private readonly request: FastifyRequest) {}
  header(name: string) {
    return this.request.headers[name]
  }
  ip() {
    return this.request.ip
  }
  path() {
    const url = this.request.url
    const query = url.indexOf('?')
    return query < 0 ? url : url.slice(0, query)
  }
  user() {
    return (this.request as { user?: unknown }).user
  }
  secure() {
    return this.request.protocol === 'https'
  }
  query(name: string) {
    return (this.request.query as Record<string, unknown> | undefined)?.[name]
  }
}
