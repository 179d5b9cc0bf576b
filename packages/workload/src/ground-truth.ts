/** The figures of a campaign, in one hour or in total, as the reporting must show them. */
export interface Figures {
  sent: number;
  impressions: number;
  clicks: number;
  orders: number;
  revenue_minor: number;
}

export type FigureName = keyof Figures;

export const emptyFigures = (): Figures => ({
  sent: 0,
  impressions: 0,
  clicks: 0,
  orders: 0,
  revenue_minor: 0,
});

const HOUR_MS = 3_600_000;
export const hourOf = (time: number): number => time - (((time % HOUR_MS) + HOUR_MS) % HOUR_MS);

export interface CampaignTruth {
  total: Figures;
  /** By hour start, epoch ms. */
  hours: Map<number, Figures>;
}

/** What a correct pipeline reports for a generated workload: per campaign, in total and per hour. */
export class GroundTruth {
  readonly campaigns = new Map<string, CampaignTruth>();

  add(campaign: string, time: number, figure: FigureName, amount = 1): void {
    let truth = this.campaigns.get(campaign);
    if (truth === undefined) {
      truth = { total: emptyFigures(), hours: new Map() };
      this.campaigns.set(campaign, truth);
    }
    const hour = hourOf(time);
    let figures = truth.hours.get(hour);
    if (figures === undefined) {
      figures = emptyFigures();
      truth.hours.set(hour, figures);
    }
    figures[figure] += amount;
    truth.total[figure] += amount;
  }

  /** Sum of one figure over every campaign. */
  sum(figure: FigureName): number {
    let sum = 0;
    for (const truth of this.campaigns.values()) sum += truth.total[figure];
    return sum;
  }

  toJSON(): Record<string, { total: Figures; hours: Record<string, Figures> }> {
    const out: Record<string, { total: Figures; hours: Record<string, Figures> }> = {};
    for (const [campaign, truth] of this.campaigns) {
      const hours: Record<string, Figures> = {};
      for (const [hour, figures] of [...truth.hours].sort((a, b) => a[0] - b[0])) {
        hours[new Date(hour).toISOString()] = figures;
      }
      out[campaign] = { total: truth.total, hours };
    }
    return out;
  }
}
