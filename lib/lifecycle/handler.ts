// Placeholder entry points until the lifecycle handler lands; the constructs only need the asset.
export async function onEvent(): Promise<never> {
  throw new Error('the lifecycle handler is not built yet');
}
export async function isComplete(): Promise<never> {
  throw new Error('the lifecycle handler is not built yet');
}
