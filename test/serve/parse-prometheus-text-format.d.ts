declare module "parse-prometheus-text-format" {
  type Sample = { readonly value?: string; readonly labels?: Record<string, string> };
  type Family = {
    readonly name: string;
    readonly help: string;
    readonly type: string;
    readonly metrics: Sample[];
  };
  export default function parsePrometheusTextFormat(text: string): Family[];
}
