/**
 * Draws the report's charts as standalone SVG with Apache ECharts'
 * server-side renderer (no DOM, no canvas): files GitHub shows as images in a
 * job summary, on a branch or in a README. Imported lazily: only runs that
 * draw charts load the library.
 */
import * as echarts from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
import type { ChartSpec } from './chart-specs.js'

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer])

export const CHART_WIDTH = 760
export const CHART_HEIGHT = 340

export function renderChart(spec: ChartSpec): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT })
  const crowded = spec.categories.length > 5 && spec.categories.some(c => c.length > 8)
  try {
    chart.setOption({
      animation: false,
      // An opaque background reads the same in GitHub's light and dark themes.
      backgroundColor: '#ffffff',
      title: { text: spec.title, left: 'center', textStyle: { fontSize: 14 } },
      // The server-side renderer can only estimate text widths: generous gaps keep labels apart in real fonts.
      legend: { bottom: 4, itemGap: 32 },
      grid: { left: 56, right: 24, top: 48, bottom: crowded ? 96 : 72 },
      xAxis: { type: 'category', data: spec.categories, axisLabel: { interval: 0, rotate: crowded ? 24 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: spec.series.map(s => ({
        name: s.name,
        type: s.type,
        data: s.data,
        ...(s.stack ? { stack: s.stack } : {}),
        ...(s.type === 'line' ? { symbolSize: 6 } : { barMaxWidth: 36 })
      }))
    })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

/** `<name>.svg` → SVG text for every chart. */
export function renderCharts(specs: ChartSpec[]): Record<string, string> {
  return Object.fromEntries(specs.map(s => [`${s.name}.svg`, renderChart(s)]))
}
