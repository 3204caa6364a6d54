// Load for the fleet: about 150 requests a second, random users, spread over the instances.
// PORTS=3001,3002,3003 pnpm load
export {}
const ports = (process.env.PORTS ?? '3001,3002,3003').split(',')
let user = 0
let answered = 0
let failed = 0
setInterval(() => console.log(`${answered} answered, ${failed} failed`), 5000).unref()
for (;;) {
  await Promise.all(
    Array.from({ length: 15 }, async () => {
      const port = ports[user % ports.length]!
      const response = await fetch(`http://127.0.0.1:${port}/checkout?u=user-${user++}`).catch(() => null)
      answered++
      if (response === null || response.status >= 500) failed++
      await response?.arrayBuffer()
    }),
  )
  await new Promise((resolve) => setTimeout(resolve, 100))
}
