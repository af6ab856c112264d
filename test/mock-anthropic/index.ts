// The project's local stand-in for the Anthropic Messages API (see ./server.ts for scenarios and markers).
export * from './server';
