// The project's local stand-in for an OpenAI-compatible Chat Completions endpoint (see ./server.ts).
export * from './server';
