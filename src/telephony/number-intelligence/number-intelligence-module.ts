// Plugs number intelligence into the server (src/server/channel-modules.ts, contract src/channels/channel-module.ts): the carrier-gateway
// admin routes. The vetter and call caps reach the ARS channel through src/server/ars-telephony.ts.
import type { ChannelModule } from '../../channels/channel-module.ts';
import { CarrierGatewayStore } from './carrier-gateway-store.ts';
import { carrierGatewayRoutes } from './carrier-gateway-routes.ts';
import { carrierGatewayExamples } from './carrier-gateway-examples.ts';

export const numberIntelligenceModule: ChannelModule = {
  name: 'number-intelligence',
  register() {},
  openApiExamples: carrierGatewayExamples,
  routes: (context) =>
    carrierGatewayRoutes({
      db: context.db,
      tenants: context.tenants,
      gateways: new CarrierGatewayStore(context.db, context.envelope),
      allowLoopbackCallbacks: context.config.allowLoopbackCallbacks,
    }),
};
