/* sampling/model_defaults.c - lfmrt_model_sampler_defaults: the recommended sampling of a model.
 *
 * Kept apart from sampler.c because it reads the model's architecture through the public model API
 * (implemented by the engine); the per-architecture table itself is lf_sampler_defaults_for_arch.
 */
#include "sampling/sampler.h"

lfmrt_sampler_params lfmrt_model_sampler_defaults(const lfmrt_model *m) {
    if (!m) return lfmrt_sampler_default_params();
    lfmrt_model_info info;
    lfmrt_model_get_info(m, &info);
    return lf_sampler_defaults_for_arch(info.arch);
}
