export { type Cell, type Chart, type Fact, type Report, type Section, type Table, escapeHtml, formatNumber, jsonForScript, renderReport } from "./html.js";
export {
  type BarChartOptions,
  type HeatmapOptions,
  type LayerProfileOptions,
  type LineChartOptions,
  type Row,
  type ScatterChartOptions,
  type VegaLiteSpec,
  barChart,
  fieldRef,
  heatmap,
  layerProfile,
  lineChart,
  scatterChart,
} from "./charts.js";
export { COLORBLIND_PALETTE, type ColorMap, colorMapping, colorScale } from "./colors.js";
export { writeReport } from "./write.js";
