// chart.js with only the bar chart registered: charts.ts loads this module on its first draw (import()), so its
// set-up runs after the headline figures are on screen.
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export { Chart };
