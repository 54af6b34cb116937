using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Gateway.Monitoring;

/// <summary>The gateway's HTTP endpoints: /healthz (alive), /readyz (registered), /routez (routes and counters), /metrics (Prometheus).</summary>
public static class GatewayMonitoring
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Maps the endpoints; <paramref name="withHealth"/> false when the process (dev mode) already has /healthz and /readyz.</summary>
    public static void MapGatewayMonitoring(this IEndpointRouteBuilder app, bool withHealth = true)
    {
        if (withHealth)
        {
            app.MapGet("/healthz", () => Results.Text("ok\n"));
            app.MapGet("/readyz", (GatewayService gateway) => gateway.Ready
                ? Results.Text("ready\n")
                : Results.Text("not registered in the directory yet (is a silo reachable?)\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        }
        app.MapGet("/routez", (GatewayService gateway) => Results.Json(RoutezBuilder.Build(gateway), Json));
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
    }
}
