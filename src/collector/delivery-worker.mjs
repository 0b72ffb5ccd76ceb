// Worker-thread entry: loads the TypeScript sources through tsx (workers do not inherit the parent's loader).
import { register } from 'tsx/esm/api';
register();
await import('./delivery-worker.ts');
