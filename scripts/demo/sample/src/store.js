/** In-memory widget store, one per process. */
export function createStore(seed = [{ name: 'sprocket' }, { name: 'flange' }]) {
  const widgets = new Map()
  let nextId = 1
  const store = {
    list: () => [...widgets.values()],
    get: id => widgets.get(id) ?? null,
    add({ name }) {
      const widget = { id: nextId++, name, createdAt: new Date().toISOString() }
      widgets.set(widget.id, widget)
      return widget
    }
  }
  for (const widget of seed) store.add(widget)
  return store
}
