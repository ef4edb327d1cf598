// The gateway module's public face: the Fastify plugin serving /v1 (OpenAI-compatible).
export { GATEWAY_PREFIX, gatewayPlugin } from './plugin.ts';
