/**
 * Runs Portkey's OSS gateway (`@portkey-ai/gateway`, its bin `build/start-server.js`, which takes
 * `--port=N` and `--headless`) bound to 127.0.0.1: the build listens on every interface and has no
 * option for the address, so the listening call is given one before the build is loaded.
 */
import net from 'node:net'

const listen = net.Server.prototype.listen
net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  // @hono/node-server calls listen(port, hostname, callback) with hostname undefined.
  if (typeof args[0] === 'number' && args[1] === undefined) args[1] = '127.0.0.1'
  return Reflect.apply(listen, this, args) as net.Server
} as typeof listen

await import(import.meta.resolve('@portkey-ai/gateway/build/start-server.js'))
