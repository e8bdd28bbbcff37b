import http from 'node:http'
import { createApp } from './app.js'
import { createStore } from './store.js'

const port = Number(process.env.PORT ?? 3000)
const server = http.createServer(createApp({ store: createStore() }))
server.listen(port, () => console.log(`widgets-api listening on :${port}`))
