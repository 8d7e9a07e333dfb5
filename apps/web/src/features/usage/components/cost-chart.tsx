import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { usdTicks } from '../../../lib/format.ts'

export interface CostPoint {
  day: string
  usd: number
}

const height = 220

/** Cost per UTC day as bars (uPlot on a canvas); the page's tables carry the same numbers. */
export function CostChart({ points, label }: { points: readonly CostPoint[]; label: string }) {
  const host = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const element = host.current
    if (!element) return
    // The theme's colours, resolved (the custom properties hold light-dark() pairs).
    const style = getComputedStyle(element)
    const accent = style.color
    const muted = style.borderTopColor
    const data: uPlot.AlignedData = [
      points.map((point) => Date.parse(`${point.day}T00:00:00Z`) / 1000),
      points.map((point) => point.usd),
    ]
    const axis = { stroke: muted, grid: { stroke: muted, width: 0.5 }, ticks: { show: false } }
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 240),
        height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        legend: { show: false },
        cursor: { show: true, points: { show: false } },
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          axis,
          {
            ...axis,
            size: 80,
            values: (_u, ticks) => usdTicks(ticks),
          },
        ],
        series: [
          {},
          {
            label: 'Cost (USD)',
            stroke: accent,
            fill: accent,
            width: 0,
            paths: uPlot.paths.bars?.({ size: [0.7, 48] }),
            points: { show: false },
          },
        ],
      },
      data,
      element,
    )
    const resize = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(element.clientWidth, 240), height })
    })
    resize.observe(element)
    return () => {
      resize.disconnect()
      plot.destroy()
    }
  }, [points])

  return <div ref={host} className="cost-chart" role="img" aria-label={label} />
}
