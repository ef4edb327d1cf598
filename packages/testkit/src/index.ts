// Test and benchmark helpers shared by the apps: the fake AI provider at the wire.
export {
  type FakeMode,
  type FakeProvider,
  type FakeToolCall,
  type SeenRequest,
  startFakeProvider,
} from './fake-provider.ts';
