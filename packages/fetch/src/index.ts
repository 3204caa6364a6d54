// Runtime-agnostic entry: Fetch-API middleware, outgoing-call routing, URL config source.
export {}
