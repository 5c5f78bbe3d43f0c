import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import { use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * Only what the dashboard draws, so the lazy chunk carries no more of ECharts than that: bar and line charts,
 * their grid, legend and tooltip, on a canvas. The canvas renderer (not SVG) because the console's CSP allows no
 * inline style attributes, and the canvas is styled only through the CSSOM, which the CSP permits; tooltips are
 * drawn on the canvas too (renderMode richText) rather than as HTML with inline styles.
 */
use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;
