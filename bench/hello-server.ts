// A bare Fastify server answering one JSON POST: the ceiling the api benchmark compares against.
// Prints its address on stdout once listening.
import Fastify from 'fastify';

const app = Fastify();
app.post('/hello', async () => ({ hello: 'world' }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ msg: 'hello listening', address }));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
