/** A single-consumer async queue: the router pushes events, the caller iterates them. */
export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private waiter: ((result: IteratorResult<T>) => void) | null = null
  private closed = false
  private readonly onCancel: () => void

  constructor(onCancel: () => void) {
    this.onCancel = onCancel
  }

  push(item: T): void {
    if (this.closed) return
    if (this.waiter) {
      const resolve = this.waiter
      this.waiter = null
      resolve({ value: item, done: false })
    } else {
      this.items.push(item)
    }
  }

  close(): void {
    this.closed = true
    if (this.waiter && this.items.length === 0) {
      const resolve = this.waiter
      this.waiter = null
      resolve({ value: undefined, done: true })
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift()
        if (item !== undefined) return Promise.resolve({ value: item, done: false })
        if (this.closed) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => {
          this.waiter = resolve
        })
      },
      // The caller stopped reading: that is a cancellation of the call.
      return: () => {
        if (!this.closed) this.onCancel()
        this.closed = true
        this.items.length = 0
        return Promise.resolve({ value: undefined, done: true })
      },
    }
  }
}
