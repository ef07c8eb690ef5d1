export * from './region';
export * from './topic';
export * from './provider';
export * from './integration';
export * from './genesys-event-bridge';
export type { GenesysEvent, GenesysEventDetail, GenesysEventMetadata } from './events';
