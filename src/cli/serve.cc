#include <iostream>

#include "cli/commands.h"
#include "pageflow/engine.h"

namespace pageflow::cli {

int run_serve(const CliOptions& options, std::stop_token stop) {
  Engine engine(options.convert);
  service::ServiceOptions serve = options.serve;
  serve.redis_url = options.scale.redis_url;
  serve.slice_pages = options.scale.slice_pages;
  service::Server server(engine, serve);
  // The port line is what scripts and tests wait for (with --port 0 it names the port chosen).
  std::cerr << "pageflow: serving on http://" << options.serve.host << ":" << server.port() << std::endl;
  server.run(stop);
  std::cerr << "pageflow: stopped" << std::endl;
  return 0;
}

}  // namespace pageflow::cli
