import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'

interface DemoNoticeState {
  dismissed: boolean
}

/** Whether the user closed the demo-mode notice; kept across reloads on this device. */
export const useDemoNoticeStore = create<DemoNoticeState>()(
  persist((): DemoNoticeState => ({ dismissed: false }), {
    name: 'parley.demo-notice',
    storage: createJSONStorage(() => localStorage),
  }),
)

export const dismissDemoNotice = () => useDemoNoticeStore.setState({ dismissed: true })
